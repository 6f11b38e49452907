import type { StackPolicy } from "../policy";

const LISTENER = "aws:lb/listener:Listener";

export const albHttpsRedirect: StackPolicy = {
  kind: "stack",
  name: "alb-https-redirect",
  group: "security",
  control: "Checkov CKV2_AWS_20; Security Hub FSBP ELB.1",
  description:
    "Where the stack requires HTTPS (prod), there is an HTTPS listener and every HTTP listener redirects to it.",
  defaults: { requireHttps: true },
  check: (resources, s) => {
    if (!s.requireHttps) return [];
    const listeners = resources.filter((r) => r.type === LISTENER);
    const found = listeners
      .filter((l) => (l.props.protocol ?? "HTTP") === "HTTP")
      .filter(
        (l) =>
          !((l.props.defaultActions ?? []) as { type: string; redirect?: { protocol?: string } }[]).some(
            (a) => a.type === "redirect" && a.redirect?.protocol === "HTTPS",
          ),
      )
      .map((l) => ({ resource: l, message: "HTTP listener must redirect to HTTPS" }));
    if (listeners.length > 0 && !listeners.some((l) => l.props.protocol === "HTTPS"))
      found.push({ resource: listeners[0]!, message: "no HTTPS listener" });
    return found;
  },
  examples: {
    violating: [
      [
        {
          type: LISTENER,
          name: "http",
          props: { protocol: "HTTP", port: 80, defaultActions: [{ type: "forward" }] },
        },
      ],
    ],
    compliant: [
      [
        {
          type: LISTENER,
          name: "http",
          props: {
            protocol: "HTTP",
            port: 80,
            defaultActions: [
              { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
            ],
          },
        },
        {
          type: LISTENER,
          name: "https",
          props: {
            protocol: "HTTPS",
            port: 443,
            certificateArn: "arn",
            defaultActions: [{ type: "fixed-response" }],
          },
        },
      ],
    ],
  },
};
