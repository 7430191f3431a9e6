/**
 * Every operation the web app sends. `@apollo/generate-persisted-query-manifest` reads this
 * file to write the app release's operation manifest; a gateway in safelist mode runs only
 * these (by id), so adding an operation here means shipping a new manifest with the release.
 */
import { gql } from "@apollo/client";

export const SUPPLIERS = gql`
  query Suppliers {
    suppliers {
      supplier
      available
      sandbox
    }
  }
`;

export const QUOTE = gql`
  mutation Quote($orderNo: String!) {
    voidQuote(input: { supplier: ATRIP, orderNo: $orderNo }) {
      isVoidable
      voidOfferId
      fare {
        currency
        estimatedRefund
      }
    }
  }
`;

export const SUBMIT = gql`
  mutation Submit($orderNo: String!, $offer: String!, $key: String!) {
    submitVoid(input: { supplier: ATRIP, orderNo: $orderNo, voidOfferId: $offer, idempotencyKey: $key }) {
      voidCode
      status
      isFinal
    }
  }
`;

export const FOLLOW = gql`
  subscription Follow($orderNo: String!) {
    voidStatusChanged(orderNo: $orderNo) {
      id
      status
      source
      isFinal
      voidOrder {
        voidCode
        actualRefund {
          amount
          currency
        }
      }
    }
  }
`;

export interface Quote {
  voidQuote: { isVoidable: boolean; voidOfferId: string | null; fare: { currency: string; estimatedRefund: string } | null };
}
export interface Submitted {
  submitVoid: { voidCode: string; status: string; isFinal: boolean };
}
export interface StatusEvent {
  voidStatusChanged: {
    id: string;
    status: string;
    source: string;
    isFinal: boolean;
    voidOrder: { voidCode: string; actualRefund: { amount: string; currency: string } | null };
  };
}
export interface Suppliers {
  suppliers: Array<{ supplier: string; available: boolean; sandbox: boolean }>;
}
