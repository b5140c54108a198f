import { PaymentWebhookEvent } from '../../payments/entities/payment-webhook-event.entity';
import { Payment } from '../../payments/entities/payment.entity';
import { OrderEvent } from './order-event.entity';
import { OrderLine } from './order-line.entity';
import { Order } from './order.entity';
import { UnpaidOrderHold } from './unpaid-order-hold.entity';

/** The orders, checkout and payments tables. */
export const ORDERS_ENTITIES = [Order, OrderLine, OrderEvent, Payment, PaymentWebhookEvent, UnpaidOrderHold];
