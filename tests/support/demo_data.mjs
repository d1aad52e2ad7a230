// The demo accounts and catalog ids that `coffee-api seed --demo` creates, for the script
// tiers that drive the real server (browser, lighthouse).
export const ADMIN = {email: 'admin@example.com', password: 'Admin123!'};
export const BARISTA = {email: 'barista@example.com', password: 'Barista123!'};
export const CUSTOMER = {email: 'test@example.com', password: 'password'};
export const ESPRESSO = 1;
export const LATTE = 3;
