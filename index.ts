import { catalog } from "./catalog";
import { platformProgram } from "./platform/program";

/** The Pulumi program: the catalog deployed by the realization the stack's config selects. */
export = async () => platformProgram(catalog);
