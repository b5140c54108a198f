/** The states an order moves through. */
export enum OrderStatus {
  PendingPayment = 'pending_payment',
  Paid = 'paid',
  Fulfilled = 'fulfilled',
  Shipped = 'shipped',
  Delivered = 'delivered',
  Cancelled = 'cancelled',
  Refunded = 'refunded',
}

/** What can happen to an order. `reinstate` is the system's only: a late payment revives an expired order. */
export enum OrderAction {
  Pay = 'pay',
  Cancel = 'cancel',
  Fulfil = 'fulfil',
  Ship = 'ship',
  Deliver = 'deliver',
  Refund = 'refund',
  Reinstate = 'reinstate',
}

export interface Transition {
  from: readonly OrderStatus[];
  to: OrderStatus;
}

/**
 * THE transition table: every state change of an order goes through one of these rows, applied as
 * a conditional UPDATE (`... WHERE status IN (from)`). `refund` is the full refund; partial
 * refunds keep the state and are allowed in the states listed by REFUNDABLE_STATES.
 */
export const TRANSITIONS: Readonly<Record<OrderAction, Transition>> = {
  [OrderAction.Pay]: { from: [OrderStatus.PendingPayment], to: OrderStatus.Paid },
  [OrderAction.Cancel]: { from: [OrderStatus.PendingPayment, OrderStatus.Paid, OrderStatus.Fulfilled], to: OrderStatus.Cancelled },
  [OrderAction.Fulfil]: { from: [OrderStatus.Paid], to: OrderStatus.Fulfilled },
  [OrderAction.Ship]: { from: [OrderStatus.Fulfilled], to: OrderStatus.Shipped },
  [OrderAction.Deliver]: { from: [OrderStatus.Shipped], to: OrderStatus.Delivered },
  [OrderAction.Refund]: {
    from: [OrderStatus.Paid, OrderStatus.Fulfilled, OrderStatus.Shipped, OrderStatus.Delivered],
    to: OrderStatus.Refunded,
  },
  [OrderAction.Reinstate]: { from: [OrderStatus.Cancelled], to: OrderStatus.Paid },
};

/** States in which money was taken and (part of) it may still be refunded. */
export const REFUNDABLE_STATES = TRANSITIONS[OrderAction.Refund].from;

/** The actions the table allows from a state (whoever asks). */
export function allowedActions(state: OrderStatus): OrderAction[] {
  return (Object.keys(TRANSITIONS) as OrderAction[]).filter((action) => TRANSITIONS[action].from.includes(state));
}

export function canApply(action: OrderAction, state: OrderStatus): boolean {
  return TRANSITIONS[action].from.includes(state);
}
