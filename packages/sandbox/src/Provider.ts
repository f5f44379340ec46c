/** The seed providers the sandbox emulates. */
export type ProviderName = "cryptohopper" | "cryptofuse"
