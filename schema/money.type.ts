import { Field, ObjectType } from "type-graphql";
import { DecimalScalar } from "./scalars.js";

@ObjectType("Money", { simpleResolvers: true, description: "An exact amount of money in a currency" })
export class Money {
  @Field(() => DecimalScalar, { description: 'The amount, as an exact decimal string (e.g. "1280.50")' })
  amount!: string;

  @Field(() => String, { description: "3-letter ISO 4217 currency code" })
  currency!: string;
}
