/** Errors the services throw; their `code` crosses the transports (IPC, HTTP) with the message. */

/** A request that names something that does not exist (code 'NotFound'). */
export class NotFoundError extends Error {
  readonly code = 'NotFound'
  constructor(message: string) {
    super(message)
    this.name = 'NotFound'
  }
}

/** A request that does not fit the run's current state, e.g. resuming a completed run (code 'Conflict'). */
export class ConflictError extends Error {
  readonly code = 'Conflict'
  constructor(message: string) {
    super(message)
    this.name = 'Conflict'
  }
}

/** A request that is well-formed but cannot be carried out as asked, e.g. a study whose variant is invalid (code 'BadRequest'). */
export class InvalidRequestError extends Error {
  readonly code = 'BadRequest'
  constructor(message: string) {
    super(message)
    this.name = 'BadRequest'
  }
}

/** A helper process or service that cannot answer right now, e.g. the inspector died mid-request (code 'Unavailable'). */
export class UnavailableError extends Error {
  readonly code = 'Unavailable'
  constructor(message: string) {
    super(message)
    this.name = 'Unavailable'
  }
}
