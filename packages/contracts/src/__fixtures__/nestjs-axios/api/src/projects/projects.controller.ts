import { Body, Controller, Get, Param, Put } from '@nestjs/common';

@Controller({ path: 'projects' })
export class ProjectsController {
  @Get()
  list() {
    return [];
  }

  @Put(':projectId')
  replace(@Param('projectId') projectId: string, @Body() body: unknown) {
    return { projectId, body };
  }
}
