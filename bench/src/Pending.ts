/** Thrown by a contender whose grantflow API does not exist yet: reported as pending, not as a number. */
export class Pending extends Error {
  override readonly name = "Pending"
}
