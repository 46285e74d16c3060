import type { AttemptCounter, Tally } from './attempt-counter'
import { Problem } from '../../http/problem'

const SECOND = 1000
const MINUTE = 60 * SECOND

/**
 * Every limit of the throttle. The registration and per-minute allowances are settings
 * (REGISTRATIONS_PER_ADDRESS_PER_HOUR, LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE); the rest are fixed.
 */
export interface AuthLimits {
  /** Window of the failure counts (per address, per account and address, per account). */
  failureWindowMs: number
  /** Failed checks of one account from one address before that pair is refused. */
  failuresPerAccountAndAddress: number
  /** Failed checks from one address, whatever the account, before the address is refused. */
  failuresPerAddress: number
  /** Checks one address may ask for per minute, failed or not: a flood is refused before work. */
  attemptsPerAddressPerMinute: number
  /** Failed checks of one account, from anywhere, before its guessers must back off. */
  accountFailuresBeforeBackoff: number
  /** First back-off of an account under attack; it doubles with each further failure. */
  accountBackoffBaseMs: number
  accountBackoffMaxMs: number
  /** Registrations one address may ask for per window. */
  registrationsPerAddress: number
  registrationWindowMs: number
}

export const AUTH_LIMITS: AuthLimits = {
  failureWindowMs: 15 * MINUTE,
  failuresPerAccountAndAddress: 5,
  failuresPerAddress: 20,
  attemptsPerAddressPerMinute: 30,
  accountFailuresBeforeBackoff: 10,
  accountBackoffBaseMs: SECOND,
  accountBackoffMaxMs: 15 * MINUTE,
  registrationsPerAddress: 10,
  registrationWindowMs: 60 * MINUTE,
}

/** Password checks that are throttled alike, each with counts of its own. */
export type CheckScope = 'login' | 'password-change'

const refused = (detail: string, retryInMs: number) =>
  new Problem(429, detail, {
    type: 'rate-limited',
    headers: { 'Retry-After': String(Math.max(1, Math.ceil(retryInMs / 1000))) },
  })

/**
 * The key of a client address: IPv4 as is (IPv4-mapped IPv6 too), IPv6 by its /64 network,
 * since one host is handed a whole /64 and could otherwise take a fresh address per guess.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped) return mapped[1]!
  if (!address.includes(':')) return address
  const [head = '', tail = ''] = address.toLowerCase().split('%')[0]!.split('::')
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const groups = address.includes('::')
    ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right]
    : left
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, '')).join(':')}::/64`
}

/**
 * Throttles for everything that checks or sets a password, counted in an AttemptCounter (Redis
 * with REDIS_URL, so instances agree). Refusals are 429 problems with Retry-After.
 *
 * - Per address: at most `attemptsPerAddressPerMinute` checks, and `failuresPerAddress` failed
 *   ones in the window whatever the account (password spraying).
 * - Per account and address: `failuresPerAccountAndAddress` failures refuse that pair only.
 * - Per account: past `accountFailuresBeforeBackoff` failures from anywhere, an address that has
 *   already guessed wrong on the account waits an exponential back-off after the account's last
 *   failure. An address with no failure on the account is never held back by it, so the owner
 *   logging in from elsewhere with the right password is never locked out.
 * - Registration: `registrationsPerAddress` per `registrationWindowMs` per address.
 */
export function authThrottle(counter: AttemptCounter, limits: AuthLimits = AUTH_LIMITS) {
  const backoffMs = (failures: number) =>
    Math.min(
      limits.accountBackoffBaseMs * 2 ** (failures - limits.accountFailuresBeforeBackoff),
      limits.accountBackoffMaxMs,
    )
  const keys = (scope: CheckScope, account: string, address: string) => {
    const from = addressKey(address)
    return {
      rate: `${scope}:rate:${from}`,
      address: `failures:address:${from}`,
      pair: `${scope}:failures:pair:${account}|${from}`,
      account: `${scope}:failures:account:${account}`,
    }
  }

  return {
    limits,

    /** Before a password check: throws the 429 when any limit refuses it. */
    async beforeCheck(scope: CheckScope, account: string, address: string): Promise<void> {
      const k = keys(scope, account, address)
      const [rate, byAddress, pair, byAccount] = await Promise.all([
        counter.hit(k.rate, MINUTE),
        counter.peek(k.address),
        counter.peek(k.pair),
        counter.peek(k.account),
      ])
      if (rate.count > limits.attemptsPerAddressPerMinute) {
        throw refused('Too many attempts from this address; try again later.', rate.resetsInMs)
      }
      if (byAddress.count >= limits.failuresPerAddress) {
        const detail = 'Too many failed attempts from this address; try again later.'
        throw refused(detail, byAddress.resetsInMs)
      }
      if (pair.count >= limits.failuresPerAccountAndAddress) {
        throw refused('Too many failed attempts; try again later.', pair.resetsInMs)
      }
      const wait = accountWait(pair, byAccount)
      if (wait > 0) throw refused('Too many failed attempts on this account; slow down.', wait)
    },

    async failed(scope: CheckScope, account: string, address: string): Promise<void> {
      const k = keys(scope, account, address)
      await Promise.all([
        counter.hit(k.address, limits.failureWindowMs),
        counter.hit(k.pair, limits.failureWindowMs),
        counter.hit(k.account, limits.failureWindowMs),
      ])
    },

    /** The right password clears its pair; the account's count stays while an attack may last. */
    async succeeded(scope: CheckScope, account: string, address: string): Promise<void> {
      await counter.clear(keys(scope, account, address).pair)
    },

    /** Before a registration: throws the 429 past the address's allowance. */
    async beforeRegister(address: string): Promise<void> {
      const tally = await counter.hit(
        `register:${addressKey(address)}`,
        limits.registrationWindowMs,
      )
      if (tally.count > limits.registrationsPerAddress) {
        const detail = 'Too many registrations from this address; try again later.'
        throw refused(detail, tally.resetsInMs)
      }
    },
  }

  function accountWait(pair: Tally, byAccount: Tally): number {
    if (pair.count === 0 || byAccount.count < limits.accountFailuresBeforeBackoff) return 0
    return byAccount.lastAt + backoffMs(byAccount.count) - Date.now()
  }
}

export type AuthThrottle = ReturnType<typeof authThrottle>
