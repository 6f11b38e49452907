import type { GeoPoint } from "../../../oversupply-protocol/src/messages";
import type { Category, Unit } from "../../../oversupply-protocol/src/vocabulary";

/** An organisation that can take surplus food: a food bank, shelter, community kitchen, … */
export interface DemandPartner {
  id: string;
  name: string;
  location: GeoPoint;
  /** Accepted categories, most wanted first. */
  categories: Category[];
  /** How much the partner can take in one pickup, per unit. A unit that is absent cannot be taken. */
  capacity: Partial<Record<Unit, number>>;
  /** Days between pickup and the food reaching people. */
  leadTimeDays: number;
}
