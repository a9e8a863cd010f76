// Starts Swagger UI on /api/docs (a file, not an inline script, so the pages' CSP holds).
// validatorUrl: null keeps Swagger UI from asking validator.swagger.io about the schema.
window.addEventListener("load", function () {
  var node = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: node.getAttribute("data-openapi"),
    dom_id: "#swagger-ui",
    validatorUrl: null,
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout"
  });
});
