import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { stringify } from "yaml";
import { type RenderOptions, renderPrometheusRules } from "../../platform/alerts/prometheus-rules";

/** The local Prometheus's rules file, as YAML text. */
export function prometheusRulesYaml(options: RenderOptions = {}): string {
  return stringify({ groups: renderPrometheusRules(undefined, options) }, { lineWidth: 0 });
}

export function writePrometheusRules(path: string, options: RenderOptions = {}): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, prometheusRulesYaml(options));
  return path;
}
