import { describe, expect, it } from 'vitest';
import { allowedActions, canApply, OrderAction, OrderStatus, TRANSITIONS } from './order-state';

describe('order transition table', () => {
  it('allows from each state exactly the actions whose row lists it', () => {
    expect(allowedActions(OrderStatus.PendingPayment)).toEqual([OrderAction.Pay, OrderAction.Cancel]);
    expect(allowedActions(OrderStatus.Paid)).toEqual([OrderAction.Cancel, OrderAction.Fulfil, OrderAction.Refund]);
    expect(allowedActions(OrderStatus.Fulfilled)).toEqual([OrderAction.Cancel, OrderAction.Ship, OrderAction.Refund]);
    expect(allowedActions(OrderStatus.Shipped)).toEqual([OrderAction.Deliver, OrderAction.Refund]);
    expect(allowedActions(OrderStatus.Delivered)).toEqual([OrderAction.Refund]);
    expect(allowedActions(OrderStatus.Cancelled)).toEqual([OrderAction.Reinstate]);
    expect(allowedActions(OrderStatus.Refunded)).toEqual([]);
  });

  it('has a row for every action, each leading to another state', () => {
    for (const action of Object.values(OrderAction)) {
      const { from, to } = TRANSITIONS[action];
      expect(from.length).toBeGreaterThan(0);
      expect(from).not.toContain(to);
      for (const state of from) expect(canApply(action, state)).toBe(true);
    }
    expect(canApply(OrderAction.Ship, OrderStatus.Paid)).toBe(false);
  });
});
