/**
 * Reading supplier replies tolerantly where the documents are silent and strictly where they
 * speak (issue B.5). The fields a decision rests on (a void's voidCode, voidStatus, orderNo)
 * are checked by the wire schemas and reject the reply; every other field is read here, one
 * at a time: a field of the documented shape is used, a missing one is null, and one of any
 * other shape is null too and reported, so one odd optional field never loses a whole reply
 * (a refunded void stuck unfinished because its actualRefundAmount had a new shape).
 */
import type { z } from "zod";
import type { SupplierName } from "../src/vocabulary/suppliers.js";
import { describeZodError } from "./json.js";

/** Says that a reply's `field` had an unexpected shape and was left out. */
export type OddFieldNote = (field: string, problem: string) => void;

/** The optional fields of one reply object. */
export class OptionalFields {
  private readonly unread = new Set<string>();

  constructor(
    private readonly raw: Readonly<Record<string, unknown>>,
    private readonly note: OddFieldNote,
  ) {}

  /**
   * Whether the reply said nothing usable of `field`: absent, null, or of another shape. Such a
   * null or [] means "not said", where a field read as null or [] means "none".
   */
  unsaid(field: string): boolean {
    return this.unread.has(field);
  }

  /** The field when it has the documented shape; null when absent, null, or (noted) of another shape. */
  value<S extends z.ZodType>(field: string, schema: S): z.output<S> | null {
    const v = this.raw[field];
    if (v === undefined || v === null) return this.none(field, null);
    const parsed = schema.safeParse(v);
    if (parsed.success) return parsed.data ?? null;
    this.note(field, problemOf(parsed.error));
    return this.none(field, null);
  }

  /**
   * A field the documents mark nullable: an explicit null says "none" (a void whose expected
   * refund date the supplier withdrew), where value() would leave the field unsaid. Absent, or of
   * another shape (noted), it is unsaid as with value().
   */
  nullable<S extends z.ZodType>(field: string, schema: S): z.output<S> | null {
    return this.raw[field] === null ? null : this.value(field, schema);
  }

  /** A list field element by element: elements of another shape are dropped (noted); not a list → [] (noted). */
  list<S extends z.ZodType>(field: string, element: S): z.output<S>[] {
    const v = this.raw[field];
    if (v === undefined || v === null) return this.none(field, []);
    if (!Array.isArray(v)) {
      this.note(field, "expected a list");
      return this.none(field, []);
    }
    const out: z.output<S>[] = [];
    v.forEach((item, i) => {
      const parsed = element.safeParse(item);
      if (parsed.success) out.push(parsed.data);
      else this.note(`${field}.${i}`, problemOf(parsed.error));
    });
    return out;
  }

  private none<T>(field: string, empty: T): T {
    this.unread.add(field);
    return empty;
  }

  /** Notes a problem the caller found itself (e.g. an amount without a currency). */
  odd(field: string, problem: string): void {
    this.note(field, problem);
  }
}

/** A zod failure as text, without the "(root)" of a field parsed on its own. */
function problemOf(err: z.ZodError): string {
  return describeZodError(err).replace(/^\(root\): /, "");
}

/** One optional reply field that was left out. Carries no credentials or amounts. */
export interface OddField {
  supplier: SupplierName;
  operation: string;
  /** The field's path in the reply, e.g. "actualRefundAmount" or "voidTickets.1". */
  field: string;
  problem: string;
  /** The void or order the reply was about, for support staff. */
  ref?: string;
}

/** Where odd fields are reported; by default a process warning. */
export type OddFieldSink = (odd: OddField) => void;

/** Node's process warning: one line on stderr, and visible to `process.on("warning")`. */
const warnOddField: OddFieldSink = (odd) => {
  process.emitWarning(
    `${odd.supplier} ${odd.operation}: field ${odd.field} left out (${odd.problem})${odd.ref ? `; first seen for ${odd.ref}` : ""}`,
    {
      code: "SUPPLIER_ODD_FIELD",
    },
  );
};

/**
 * Reports each (supplier, operation, field) once: a supplier that changed a field's shape
 * would otherwise log the same line on every poll of every void. List elements count by their
 * list ("voidTickets.3" is "voidTickets").
 */
export class OddFieldLog {
  private readonly seen = new Set<string>();

  constructor(private readonly sink: OddFieldSink = warnOddField) {}

  report(odd: OddField): void {
    const key = `${odd.supplier}\u0000${odd.operation}\u0000${odd.field.replace(/\.\d+(?=\.|$)/g, "")}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.sink(odd);
  }

  /** A note function for one reply of `operation` about `ref`. */
  noteFor(supplier: SupplierName, operation: string, ref?: string): OddFieldNote {
    return (field, problem) => this.report({ supplier, operation, field, problem, ref });
  }
}
