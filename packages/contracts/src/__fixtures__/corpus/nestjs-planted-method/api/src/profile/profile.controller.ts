import { Controller, Get, Param, Put } from '@nestjs/common';

@Controller('users/:userId')
export class ProfileController {
  @Get('profile')
  profile(@Param('userId') userId: string) { return { userId }; }

  @Put('avatar')
  avatar(@Param('userId') userId: string) { return { userId }; }
}
