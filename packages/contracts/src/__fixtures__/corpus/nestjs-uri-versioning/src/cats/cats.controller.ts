import { Controller, Get, Param, Version } from '@nestjs/common';

@Controller({ path: 'cats', version: '1' })
export class CatsController {
  @Get()
  findAll() { return []; }

  @Get(':id')
  findOne(@Param('id') id: string) { return { id }; }

  @Version('2')
  @Get(':id/photos')
  photos(@Param('id') id: string) { return { id }; }
}
