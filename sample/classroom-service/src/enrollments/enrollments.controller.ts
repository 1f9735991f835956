import { Controller, Get, Param } from '@nestjs/common';
import type { EnrollmentView } from './enrollment';
import { EnrollmentsService } from './enrollments.service';

/** HTTP API of enrollments. */
@Controller('enrollments')
export class EnrollmentsController {
  constructor(private readonly enrollments: EnrollmentsService) {}

  /** Lists a student's enrollments. */
  @Get('student/:studentId')
  findByStudent(
    @Param('studentId') studentId: string,
  ): Promise<EnrollmentView[]> {
    return this.enrollments.findByStudent(studentId);
  }
}
