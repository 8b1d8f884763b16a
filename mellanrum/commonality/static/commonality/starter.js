// After a failed submit, move focus to the error summary so keyboard and screen-reader users
// land on the list of problems (the summary's links lead to each field).
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
});
