/**
 * AES-256-GCM sealing on WebCrypto (`globalThis.crypto.subtle`), shared by the encrypted token
 * and state stores. A sealed value is `gf1.<key id>.<iv>.<ciphertext+tag>` (base64url): the key
 * id says which key opens it, so keys rotate (seal with the first, open with any listed), and
 * the additional data binds it to where it is stored, so a record copied under another key
 * (another user's session) does not open.
 */
import { base64url } from "@grantflow/kernel/Pkce"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { ConfigError, StoreError } from "../Errors.js"

/** One AES-256 key: 32 bytes, given raw or as base64 / base64url text (e.g. `openssl rand -base64 32`). */
export interface EncryptionKey {
  /** Short name written beside each value sealed with it (letters, digits, `_`, `-`; at most 64). */
  readonly id: string
  readonly key: Uint8Array | string | Redacted.Redacted<string>
}

const PREFIX = "gf1"
const KEY_ID = /^[A-Za-z0-9_-]{1,64}$/
const IV_BYTES = 12

const fromBase64 = (text: string): Uint8Array | undefined => {
  const normal = text.trim().replace(/-/g, "+").replace(/_/g, "/")
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(normal)) return undefined
  try {
    const bin = atob(normal.padEnd(Math.ceil(normal.length / 4) * 4, "="))
    const bytes = new Uint8Array(bin.length)
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i)
    return bytes
  } catch {
    return undefined
  }
}

const keyBytes = (key: EncryptionKey["key"]): Uint8Array | undefined => {
  if (key instanceof Uint8Array) return key
  if (Redacted.isRedacted(key)) return fromBase64(Redacted.value(key as Redacted.Redacted<string>))
  return typeof key === "string" ? fromBase64(key) : undefined
}

export interface KeyRing {
  readonly seal: (plaintext: string, context: string, operation: string) => Effect.Effect<string, StoreError>
  readonly open: (sealed: string, context: string, operation: string) => Effect.Effect<string, StoreError>
}

/** Checks the keys at once (a wrong key is a `ConfigError` at construction, not at the first login). */
export const keyRing = (keys: ReadonlyArray<EncryptionKey>): KeyRing => {
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new ConfigError({ reason: "encryption needs at least one key: keys: [{ id, key }]" })
  }
  const material = new Map<string, Uint8Array>()
  for (const k of keys) {
    if (typeof k?.id !== "string" || !KEY_ID.test(k.id)) {
      throw new ConfigError({ reason: "an encryption key id must be 1-64 letters, digits, '_' or '-'" })
    }
    if (material.has(k.id)) throw new ConfigError({ reason: `encryption key id ${k.id} is listed twice` })
    const bytes = keyBytes(k.key)
    if (bytes === undefined || bytes.length !== 32) {
      throw new ConfigError({
        reason: `encryption key ${k.id} must be 32 bytes (AES-256), raw or base64: e.g. \`openssl rand -base64 32\``,
      })
    }
    material.set(k.id, Uint8Array.from(bytes))
  }
  const writeId = keys[0]!.id
  const imported = new Map<string, Promise<CryptoKey>>()
  const cryptoKey = (id: string): Promise<CryptoKey> => {
    let key = imported.get(id)
    if (key === undefined) {
      key = globalThis.crypto.subtle.importKey("raw", material.get(id)! as BufferSource, "AES-GCM", false, [
        "encrypt",
        "decrypt",
      ])
      imported.set(id, key)
    }
    return key
  }
  const encoder = new TextEncoder()
  const aad = (context: string) => encoder.encode(`${PREFIX}\u0000${context}`)

  return {
    seal: (plaintext, context, operation) =>
      Effect.tryPromise({
        try: async () => {
          const iv = globalThis.crypto.getRandomValues(new Uint8Array(IV_BYTES))
          const data = await globalThis.crypto.subtle.encrypt(
            { name: "AES-GCM", iv, additionalData: aad(context) },
            await cryptoKey(writeId),
            encoder.encode(plaintext),
          )
          return `${PREFIX}.${writeId}.${base64url(iv)}.${base64url(new Uint8Array(data))}`
        },
        catch: () => new StoreError({ operation, detail: "encryption failed" }),
      }),
    open: (sealed, context, operation) =>
      Effect.suspend(() => {
        const parts = typeof sealed === "string" ? sealed.split(".") : []
        if (parts.length !== 4 || parts[0] !== PREFIX) {
          return Effect.fail(new StoreError({ operation, detail: "the stored record is not encrypted" }))
        }
        const [, id, ivText, dataText] = parts as [string, string, string, string]
        if (!material.has(id)) {
          return Effect.fail(
            new StoreError({
              operation,
              detail: `the stored record was encrypted with unknown key id ${id.slice(0, 64)}`,
            }),
          )
        }
        const iv = fromBase64(ivText)
        const data = fromBase64(dataText)
        if (iv === undefined || iv.length !== IV_BYTES || data === undefined || data.length < 16) {
          return Effect.fail(new StoreError({ operation, detail: "the stored record is damaged" }))
        }
        return Effect.tryPromise({
          try: async () =>
            new TextDecoder("utf-8", { fatal: true }).decode(
              await globalThis.crypto.subtle.decrypt(
                { name: "AES-GCM", iv: iv as BufferSource, additionalData: aad(context) },
                await cryptoKey(id),
                data as BufferSource,
              ),
            ),
          // GCM's tag check: any changed byte, or a record moved to another key, ends here.
          catch: () =>
            new StoreError({
              operation,
              detail: "the stored record failed its integrity check (tampered or moved)",
            }),
        })
      }),
  }
}

/** 32 random bytes as base64url: a fresh key for `encryptedTokenStore`. */
export const generateKey = (): string => base64url(globalThis.crypto.getRandomValues(new Uint8Array(32)))
