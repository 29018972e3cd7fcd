import { Controller, Get, Param, Patch } from '@nestjs/common';
import { ROUTES } from '../constants';

@Controller(ROUTES.orders)
export class OrdersController {
  @Get()
  list() { return []; }

  @Patch(':orderId/status')
  setStatus(@Param('orderId') orderId: string) { return { orderId }; }
}
