from django.contrib import admin

from hindsight.runner.models import JobSchedule, WorkerHeartbeat


@admin.register(JobSchedule)
class JobScheduleAdmin(admin.ModelAdmin[JobSchedule]):
    list_display = ("job", "next_attempt_at", "lease_owner", "attempts", "last_error")


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin[WorkerHeartbeat]):
    list_display = ("worker", "region", "started_at", "beat_at")
