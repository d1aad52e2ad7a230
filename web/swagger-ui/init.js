// Starts Swagger UI on this server's own OpenAPI document. Everything is served by coffee-api
// from assets embedded at build time (no CDN). "Authorize" takes an access token from
// POST /api/auth/login; "Try it out" then sends it as `Authorization: Bearer …` to this origin.
window.addEventListener('DOMContentLoaded', () => {
  window.ui = window.SwaggerUIBundle({
    url: '/api/openapi.json',
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: true,
    tryItOutEnabled: false,
    validatorUrl: null,
    // The document's server is http://localhost:8080; requests go to the origin that served
    // this page instead, so "Try it out" works wherever the server runs.
    requestInterceptor: (request) => {
      const url = new URL(request.url, window.location.origin);
      if (url.pathname.startsWith('/api') || url.pathname === '/metrics' ||
          url.pathname === '/healthz' || url.pathname === '/readyz') {
        request.url = window.location.origin + url.pathname + url.search;
      }
      return request;
    },
  });
});
