import { HttpError } from "../../../../lib/service-kit";
import { InvalidField } from "../../../oversupply-protocol/src/checks";
import { registrationIdAt } from "../../../oversupply-protocol/src/messages";

/** Runs a parser, answering 400 with the field's reason when the input is invalid. */
export function validated<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof InvalidField) throw new HttpError(400, error.message);
    throw error;
  }
}

export function registrationIdParam(params: unknown): string {
  return validated(() => registrationIdAt((params as { id?: unknown }).id, "id"));
}
