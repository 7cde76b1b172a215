import { types, type SerializerOptions } from '@electric-sql/pglite';

/**
 * How the tablet's database turns a JavaScript value into a json/jsonb parameter: always
 * `JSON.stringify`, so a string is a JSON string.
 *
 * PGlite's default passes a string through as JSON *text*. The shape client parses a jsonb column
 * holding the string "Pump seal" into the JS string `Pump seal`, and pglite-sync inserts that as
 * a parameter: with the default, Postgres reads `Pump seal` as JSON text and fails — and that
 * failure aborts pglite-sync's whole commit (a conflict row with a text value once held back the
 * acknowledgement of the commands that caused it). Code on the tablet therefore passes values,
 * never JSON it serialised itself.
 */
export const JSON_PARAMETERS: SerializerOptions = {
  [types.JSON]: (value: unknown) => JSON.stringify(value),
  [types.JSONB]: (value: unknown) => JSON.stringify(value),
};
