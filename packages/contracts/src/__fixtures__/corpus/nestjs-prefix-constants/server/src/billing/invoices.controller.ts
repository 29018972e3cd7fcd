import { Controller, Get } from '@nestjs/common';
import { ROUTES } from '../constants';

@Controller(ROUTES.invoices)
export class InvoicesController {
  @Get('latest')
  latest() { return {}; }
}
