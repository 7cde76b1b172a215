/**
 * A business refusal: the command is valid but cannot apply (a cancelled task, an order already
 * received…). It becomes a `rejected` result, never an HTTP error, so one refused command never
 * blocks the tablet's queue; the tablet shows it under "Needs attention" with this message.
 */
export class CommandRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    /** The row the refused command was about: what the user entered is kept in `conflicts`. */
    readonly keep?: { entity: string; entityId: string },
  ) {
    super(message);
    this.name = 'CommandRefusal';
  }
}
