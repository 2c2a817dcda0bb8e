// The launch manifest's print button (a static file: the CSP allows no inline script).
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("print-manifest");
  if (button) button.addEventListener("click", () => window.print());
});
