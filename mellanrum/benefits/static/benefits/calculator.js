// After a submit with problems, move focus to the error summary at the top, so keyboard and
// screen-reader users hear the list of problems first; its links lead to each field.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
});
