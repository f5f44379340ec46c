/** Request parameters with every value kept, so duplicates can be refused (RFC 6749 §3.1). */
export class Params {
  readonly #values: ReadonlyMap<string, ReadonlyArray<string>>

  constructor(values: ReadonlyMap<string, ReadonlyArray<string>>) {
    this.#values = values
  }

  static empty(): Params {
    return new Params(new Map())
  }

  static fromSearchParams(search: URLSearchParams): Params {
    const values = new Map<string, Array<string>>()
    for (const [name, value] of search) {
      const list = values.get(name)
      if (list) list.push(value)
      else values.set(name, [value])
    }
    return new Params(values)
  }

  static fromForm(body: Buffer): Params {
    return Params.fromSearchParams(new URLSearchParams(body.toString("utf8")))
  }

  /**
   * Parses a JSON object whose values are strings (numbers and booleans are accepted as their
   * text, as PHP servers do). Returns an error message for anything else.
   */
  static fromJson(body: Buffer): Params | string {
    let parsed: unknown
    try {
      parsed = JSON.parse(body.toString("utf8"))
    } catch {
      return "The request body is not valid JSON."
    }
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
      return "The request body must be a JSON object."
    }
    const values = new Map<string, Array<string>>()
    for (const [name, value] of Object.entries(parsed)) {
      if (value === null || value === undefined) continue
      if (typeof value === "string") values.set(name, [value])
      else if (typeof value === "number" || typeof value === "boolean") values.set(name, [String(value)])
      else return `The parameter ${name} must be a string.`
    }
    return new Params(values)
  }

  /** The single value of `name`, or undefined when absent or empty. */
  get(name: string): string | undefined {
    const value = this.#values.get(name)?.[0]
    return value === "" ? undefined : value
  }

  has(name: string): boolean {
    return this.#values.has(name)
  }

  /** The first parameter name that appears more than once, if any. */
  firstDuplicate(): string | undefined {
    for (const [name, list] of this.#values) if (list.length > 1) return name
    return undefined
  }

  get size(): number {
    return this.#values.size
  }
}
