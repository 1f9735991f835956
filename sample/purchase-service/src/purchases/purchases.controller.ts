import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
import type { PurchaseView } from './purchase';
import { parseCreatePurchase, parsePurchaseStatus } from './purchase-input';
import { PurchasesService } from './purchases.service';

/** HTTP API of purchases. */
@Controller('purchases')
export class PurchasesController {
  constructor(private readonly purchases: PurchasesService) {}

  /** Creates a purchase (status `pending` unless the body sets one). */
  @Post()
  create(@Body() body: unknown): Promise<PurchaseView> {
    return this.purchases.create(parseCreatePurchase(body));
  }

  /** Sets a purchase's status, for example to `completed`. */
  @Patch(':id/status')
  updateStatus(
    @Param('id') id: string,
    @Body('status') status: unknown,
  ): Promise<PurchaseView> {
    return this.purchases.updateStatus(id, parsePurchaseStatus(status));
  }

  /** Lists a customer's purchases. */
  @Get('customer/:customerId')
  findByCustomer(
    @Param('customerId') customerId: string,
  ): Promise<PurchaseView[]> {
    return this.purchases.findByCustomer(customerId);
  }
}
