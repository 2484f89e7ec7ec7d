from django.urls import path

from . import views, views_tasks

app_name = "team"
urlpatterns = [
    path("", views.staff_index, name="list"),
    path("new/", views.staff_create, name="create"),
    path("duties/", views.duties, name="duties"),
    path("tasks/", views_tasks.task_list, name="tasks"),
    path("tasks/<int:task_id>/done/", views_tasks.task_done, name="task_done"),
    path("duties/<int:duty_id>/owners/", views.duty_owners, name="duty_owners"),
    path("<int:staff_id>/", views.staff_detail, name="detail"),
    path("<int:staff_id>/update/", views.staff_update, name="update"),
    path("<int:staff_id>/reset-password/", views.staff_reset_password, name="reset_password"),
    path("<int:staff_id>/unlock/", views.staff_unlock, name="unlock"),
]
