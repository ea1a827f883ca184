// Vitest runs outside React's server graph; `server-only` would throw there.
export {};
