/** The three custom scalars of docs/api.md: DateTime, Date and Decimal. */
import { GraphQLError, GraphQLScalarType, Kind } from "graphql";

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
const DECIMAL = /^-?\d+(\.\d+)?$/;

function isCalendarDate(s: string): boolean {
  if (!ISO_DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

function parseDateTime(value: unknown): Date {
  if (typeof value !== "string") throw new GraphQLError("DateTime must be an ISO-8601 string");
  const d = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(d.getTime())) throw new GraphQLError(`DateTime "${value}" is not ISO-8601`);
  return d;
}

export const DateTimeScalar = new GraphQLScalarType<Date, string>({
  name: "DateTime",
  description: "An instant, ISO-8601 in UTC, e.g. 2026-11-21T08:30:00.000Z",
  serialize(value) {
    const d = value instanceof Date ? value : new Date(String(value));
    if (Number.isNaN(d.getTime())) throw new GraphQLError("DateTime cannot represent an invalid date");
    return d.toISOString();
  },
  parseValue: parseDateTime,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError("DateTime must be a string");
    return parseDateTime(ast.value);
  },
});

function parseDate(value: unknown): string {
  if (typeof value !== "string" || !isCalendarDate(value)) throw new GraphQLError("Date must be a calendar date as yyyy-MM-dd");
  return value;
}

export const DateScalar = new GraphQLScalarType<string, string>({
  name: "Date",
  description: "A calendar date, yyyy-MM-dd (suppliers send yyyyMMdd)",
  serialize(value) {
    return parseDate(value);
  },
  parseValue: parseDate,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError("Date must be a string");
    return parseDate(ast.value);
  },
});

function parseDecimal(value: unknown): string {
  if (typeof value !== "string" || !DECIMAL.test(value)) throw new GraphQLError('Decimal must be a string such as "1280.50"');
  return value;
}

export const DecimalScalar = new GraphQLScalarType<string, string>({
  name: "Decimal",
  description: 'An exact decimal amount as a string, e.g. "1280.50" (never a float)',
  serialize: parseDecimal,
  parseValue: parseDecimal,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new GraphQLError("Decimal must be a string");
    return parseDecimal(ast.value);
  },
});
