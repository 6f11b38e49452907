export const APP_CSS = `
:root { color-scheme: light dark; --accent: #0b6e4f; --muted: #666; font-family: system-ui, sans-serif; }
body { margin: 0 auto; max-width: 46rem; padding: 1rem; line-height: 1.4; }
h1 { color: var(--accent); margin-bottom: .25rem; }
fieldset { border: 1px solid #ccc; border-radius: .5rem; padding: 1rem; }
label { display: block; margin: .5rem 0; font-weight: 600; }
input, select { display: block; width: 100%; box-sizing: border-box; padding: .45rem; margin-top: .2rem; font: inherit; }
.row { display: flex; gap: 1rem; } .row label { flex: 1; }
button { margin-top: 1rem; padding: .55rem 1.2rem; font: inherit; border: 0; border-radius: .4rem; background: var(--accent); color: #fff; cursor: pointer; }
button:disabled { opacity: .6; cursor: progress; }
button.secondary { background: #8a2b2b; }
.error { color: #b00020; min-height: 1.4em; }
#registrations { padding-left: 1.2rem; }
#registrations li { border: 1px solid #ddd; border-radius: .5rem; padding: .75rem; margin: .75rem 0; }
.status { display: inline-block; padding: 0 .5rem; border-radius: 1rem; font-size: .85em; background: #eee; color: #333; }
.status.matched { background: #d4f4e2; color: #0b4f36; } .status.unmatched { background: #fde2e2; color: #7a1b1b; }
.muted { color: var(--muted); font-size: .9em; }
`;
