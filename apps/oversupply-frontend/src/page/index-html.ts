/** The one page: a registration form and the partner's registrations with their matches. */
export const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Register oversupply</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="app.css">
<script src="app.js" defer></script>
</head>
<body>
<header><h1>Register oversupply</h1><p>Tell us what food you have left over; we find a partner who can use it.</p></header>
<main>
<form id="register" novalidate>
  <fieldset>
    <legend>Your oversupply</legend>
    <label>Partner (your organisation)<input name="partner" id="partner" required maxlength="200" autocomplete="organization"></label>
    <label>Category<select name="category" id="category" required></select></label>
    <label>Item<input name="item" id="item" required maxlength="200" placeholder="e.g. sourdough loaves"></label>
    <div class="row">
      <label>Quantity<input name="quantity" id="quantity" type="number" required min="0" step="any" inputmode="decimal"></label>
      <label>Unit<select name="unit" id="unit" required></select></label>
    </div>
    <div class="row">
      <label>Pickup latitude<input name="lat" id="lat" type="number" required min="-90" max="90" step="any" placeholder="52.37"></label>
      <label>Pickup longitude<input name="lon" id="lon" type="number" required min="-180" max="180" step="any" placeholder="4.90"></label>
    </div>
    <label>Best before<input name="bestBefore" id="bestBefore" type="date" required></label>
  </fieldset>
  <button type="submit" id="submit">Register</button>
  <p id="form-error" class="error" role="alert" aria-live="assertive"></p>
</form>
<section aria-labelledby="mine-title">
  <h2 id="mine-title">Your registrations</h2>
  <p id="empty">Nothing registered yet.</p>
  <ol id="registrations" aria-live="polite"></ol>
</section>
</main>
</body>
</html>
`;
