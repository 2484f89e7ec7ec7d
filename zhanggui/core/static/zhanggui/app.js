// Filter rows submit as soon as a select or date changes: <form data-autosubmit> (lists keep filters in the URL).
document.querySelectorAll("form[data-autosubmit]").forEach((form) => {
  form.querySelectorAll("select[name], input[type=date]").forEach((field) =>
    field.addEventListener("change", () => form.submit()));
});

// Batch actions on a table: <form data-batch> holding #check-all, .row-check boxes and a #selected-count badge.
document.querySelectorAll("form[data-batch]").forEach((form) => {
  const all = form.querySelector("#check-all") || document.getElementById("check-all");
  const boxes = () => form.querySelectorAll(".row-check");
  const count = () => {
    const n = document.getElementById("selected-count");
    if (n) n.textContent = [...boxes()].filter((b) => b.checked).length;
  };
  if (all) all.addEventListener("change", () => { boxes().forEach((b) => { b.checked = all.checked; }); count(); });
  boxes().forEach((b) => b.addEventListener("change", count));
});
