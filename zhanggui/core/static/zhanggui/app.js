// Filter rows submit as soon as a select or date changes: <form data-autosubmit> (lists keep filters in the URL).
document.querySelectorAll("form[data-autosubmit]").forEach((form) => {
  form.querySelectorAll("select[name], input[type=date]").forEach((field) =>
    field.addEventListener("change", () => form.submit()));
});
