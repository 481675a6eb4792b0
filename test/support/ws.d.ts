// ws ships no types and @types/ws is not installed: the tests use it untyped.
declare module 'ws';
