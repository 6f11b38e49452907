import { parseWeightsVersion, type WeightsVersion } from "../../../oversupply-protocol/src/weights";

/** The current weights as stored by the backend (`GET /weights/current`). */
export async function fetchCurrentWeights(backendUrl: string, timeoutMs = 5000): Promise<WeightsVersion> {
  const response = await fetch(new URL("/weights/current", backendUrl), {
    signal: AbortSignal.timeout(timeoutMs),
  });
  if (!response.ok) throw new Error(`GET /weights/current answered ${response.status}`);
  return parseWeightsVersion(await response.json());
}
