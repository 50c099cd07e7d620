/**
 * @module
 * The script of the `/docs` page: Swagger UI's standalone bundle (served by this server, a
 * global `SwaggerUIBundle`) renders `/openapi.json`. A file of its own because the page's
 * Content-Security-Policy allows no inline script. Nothing is fetched from another origin:
 * the online validator badge is off.
 */

interface SwaggerUiOptions {
  url: string;
  dom_id: string;
  deepLinking: boolean;
  validatorUrl: null;
  defaultModelsExpandDepth: number;
}

type SwaggerUiBundle = (options: SwaggerUiOptions) => unknown;

const bundle = (window as unknown as { SwaggerUIBundle?: SwaggerUiBundle }).SwaggerUIBundle;
const container = document.getElementById('docs');
if (bundle && container) {
  container.textContent = '';
  bundle({ url: '/openapi.json', dom_id: '#docs', deepLinking: true, validatorUrl: null, defaultModelsExpandDepth: 0 });
} else if (container) {
  container.textContent = 'The API reference could not be loaded: see /openapi.json.';
}
