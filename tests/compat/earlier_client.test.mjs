// The earlier Coffee API's mobile client, replayed against this server (issue 19): its calls are
// sent exactly as that client sends them (Content-Type: application/json on every request, GETs
// included; prices as 3.0-style doubles in query strings; {refresh_token} refreshes that expect
// `user` back), and every answer is parsed with the types that client uses: ids are integers,
// catalog prices are numbers, timestamps parse as ISO 8601, and on an error it shows the user
// `body.error ?? body.message`.
import { test } from "node:test";
import assert from "node:assert/strict";

const base = process.env.BASE_URL;
assert.ok(base, "BASE_URL is not set (run through run.sh)");

/// The earlier client's request helper: JSON headers always, bearer token when signed in.
async function call(method, path, { body, token } = {}) {
  const headers = { "Content-Type": "application/json", Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  const res = await fetch(base + path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text === "" ? null : JSON.parse(text) };
}

/// What the earlier client shows its user on an error.
const shown = (body) => body.error ?? body.message;

const isInteger = (v) => Number.isInteger(v);
const isIsoTimestamp = (v) =>
  typeof v === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(v) && !Number.isNaN(Date.parse(v));

/// The earlier client's User model.
function parseUser(u) {
  assert.ok(isInteger(u.id), `user.id is an integer: ${JSON.stringify(u)}`);
  assert.equal(typeof u.email, "string");
  assert.ok(["user", "staff", "admin"].includes(u.role));
  assert.ok(isIsoTimestamp(u.created_at), `created_at parses as ISO 8601: ${u.created_at}`);
  return u;
}

/// The earlier client's session model: tokens and the user.
function parseSession(b) {
  assert.equal(typeof b.access_token, "string");
  assert.equal(typeof b.refresh_token, "string");
  assert.equal(b.token_type, "Bearer");
  assert.ok(isInteger(b.expires_in));
  return { access: b.access_token, refresh: b.refresh_token, user: parseUser(b.user) };
}

/// The earlier client's Coffee model.
function parseCoffee(c) {
  assert.ok(isInteger(c.id), `coffee.id is an integer: ${JSON.stringify(c)}`);
  assert.equal(typeof c.name, "string");
  assert.equal(typeof c.coffee_type, "string");
  assert.equal(typeof c.price, "number", `price is a number: ${JSON.stringify(c)}`);
  assert.equal(typeof c.rating, "number");
  assert.equal(typeof c.image_url, "string");
  return c;
}

const email = `compat.${Date.now()}@example.com`;
const password = "Earlier1Client";
let session;

test("register with a weak password shows what is wrong with it", async () => {
  const res = await call("POST", "/api/auth/register", { body: { email, password: "short" } });
  assert.equal(res.status, 400);
  const message = shown(res.body);
  assert.match(message, /^password: must be at least 8 characters/);
  assert.notEqual(message, "Validation error");
  assert.equal(res.body.message, message);
  assert.ok(isIsoTimestamp(res.body.timestamp));
});

test("register with a bad email shows what is wrong with it", async () => {
  const res = await call("POST", "/api/auth/register", { body: { email: "not-an-email", password } });
  assert.equal(res.status, 400);
  assert.equal(shown(res.body), "email: must be a valid email address");
});

test("register, then the same email again", async () => {
  const res = await call("POST", "/api/auth/register", { body: { email, password } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  session = parseSession(res.body);
  assert.equal(session.user.email, email);
  assert.equal(session.user.role, "user");
  const again = await call("POST", "/api/auth/register", { body: { email, password } });
  assert.equal(again.status, 409);
  assert.equal(shown(again.body), "An account with this email already exists");
});

test("log in, and a wrong password shows the earlier message", async () => {
  const res = await call("POST", "/api/auth/login", { body: { email, password } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  session = parseSession(res.body);
  const wrong = await call("POST", "/api/auth/login", { body: { email, password: "Wrong1Password" } });
  assert.equal(wrong.status, 401);
  assert.equal(shown(wrong.body), "Invalid email or password");
});

test("refresh with {refresh_token} answers a new pair and the user", async () => {
  const res = await call("POST", "/api/auth/refresh", { body: { refresh_token: session.refresh } });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const next = parseSession(res.body);
  assert.equal(next.user.id, session.user.id);
  assert.notEqual(next.refresh, session.refresh);
  session = next;
});

test("GET /api/auth/me with a JSON Content-Type on the GET", async () => {
  const res = await call("GET", "/api/auth/me", { token: session.access });
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.equal(parseUser(res.body).id, session.user.id);
  const anonymous = await call("GET", "/api/auth/me");
  assert.equal(anonymous.status, 401);
  assert.equal(shown(anonymous.body), "Missing authentication token");
});

test("the catalog with its filters, prices as 3.0-style doubles", async () => {
  const all = await call("GET", "/api/coffees?page=1&limit=100");
  assert.equal(all.status, 200);
  const coffees = all.body.map(parseCoffee);
  assert.ok(coffees.length > 0);
  const res = await call("GET", "/api/coffees?min_price=3.0&max_price=4.0&sort=price&order=asc");
  assert.equal(res.status, 200, JSON.stringify(res.body));
  const filtered = res.body.map(parseCoffee);
  assert.ok(filtered.length > 0);
  assert.deepEqual(
    filtered.map((c) => c.id),
    coffees.filter((c) => c.price >= 3.0 && c.price <= 4.0).sort((a, b) => a.price - b.price || a.id - b.id).map((c) => c.id),
  );
  const search = await call("GET", `/api/coffees?search=${encodeURIComponent(coffees[0].name.slice(0, 4))}`);
  assert.equal(search.status, 200);
  assert.ok(search.body.map(parseCoffee).some((c) => c.id === coffees[0].id));
  const typed = await call("GET", `/api/coffees?type_filter=${encodeURIComponent(coffees[0].coffee_type)}`);
  assert.equal(typed.status, 200);
  assert.ok(typed.body.map(parseCoffee).every((c) => c.coffee_type === coffees[0].coffee_type));
  const bad = await call("GET", "/api/coffees?min_price=abc");
  assert.equal(bad.status, 400);
  assert.match(shown(bad.body), /^min_price: /);
});

test("one coffee, a missing one, and the earlier favorites route", async () => {
  const one = await call("GET", "/api/coffees/1");
  assert.equal(one.status, 200);
  parseCoffee(one.body);
  const missing = await call("GET", "/api/coffees/9999");
  assert.equal(missing.status, 404);
  assert.equal(shown(missing.body), "Coffee with id 9999 not found");
  assert.equal(missing.body.message, "Coffee with id 9999 not found");
  const favorite = await call("GET", "/api/coffees/favorites/1", { token: session.access });
  assert.equal(favorite.status, 200);
  assert.deepEqual(parseCoffee(favorite.body), one.body);
});

test("an order, listed and read back", async () => {
  const placed = await call("POST", "/api/orders", {
    token: session.access,
    body: { items: [{ coffee_item_id: 1, quantity: 2, price: 3.0 }] },
  });
  assert.equal(placed.status, 201, JSON.stringify(placed.body));
  const order = placed.body;
  assert.match(order.id, /^[0-9a-f-]{36}$/);
  assert.ok(isInteger(order.user_id));
  assert.equal(order.user_id, session.user.id);
  assert.match(order.total_price, /^\d+\.\d{2}$/);
  assert.ok(isIsoTimestamp(order.created_at));
  assert.ok(order.items.every((i) => isInteger(i.coffee_item_id) && isInteger(i.quantity)));
  const list = await call("GET", "/api/orders", { token: session.access });
  assert.equal(list.status, 200);
  assert.ok(list.body.some((o) => o.id === order.id));
  const empty = await call("POST", "/api/orders", { token: session.access, body: { items: [] } });
  assert.equal(empty.status, 400);
  assert.match(shown(empty.body), /^items/);
});

test("a review with a bad rating shows the message; a good one is created", async () => {
  const bad = await call("POST", "/api/reviews", { token: session.access, body: { coffee_id: 2, rating: 6 } });
  assert.equal(bad.status, 400);
  assert.match(bad.body.message, /^rating: /);
  const res = await call("POST", "/api/reviews", {
    token: session.access,
    body: { coffee_id: 2, rating: 5, comment: "Lovely" },
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.ok(isInteger(res.body.id));
  assert.ok(isIsoTimestamp(res.body.created_at));
});

test("the OpenAPI document at the earlier path", async () => {
  const res = await call("GET", "/api-docs/openapi.json");
  assert.equal(res.status, 200);
  assert.equal(res.body.openapi, "3.1.0");
  assert.ok(res.body.paths["/api/coffees/favorites/{id}"]);
});

test("an unknown route still answers a message a client can show", async () => {
  const res = await call("GET", "/api/teas");
  assert.equal(res.status, 404);
  assert.equal(shown(res.body), "No route for /api/teas");
});

test("logout with {refresh_token}", async () => {
  const res = await call("POST", "/api/auth/logout", { body: { refresh_token: session.refresh } });
  assert.equal(res.status, 204);
  const reuse = await call("POST", "/api/auth/refresh", { body: { refresh_token: session.refresh } });
  assert.equal(reuse.status, 401);
  assert.equal(typeof shown(reuse.body), "string");
});
