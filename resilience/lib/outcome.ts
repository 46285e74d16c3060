/** One target of the issue, measured. */
export interface Check {
  name: string
  target: string
  actual: string
  met: boolean
  /** Why a target was missed (or what qualifies the figure). */
  note?: string
}

export interface ScenarioResult {
  key: string
  title: string
  /** The command that produced these figures. */
  command: string
  seconds: number
  checks: Check[]
  figures: Record<string, unknown>
  notes: string[]
}

export const check = (
  name: string,
  target: string,
  actual: string | number,
  met: boolean,
  note?: string,
): Check => ({ name, target, actual: String(actual), met, ...(note ? { note } : {}) })

export const passed = (result: ScenarioResult) => result.checks.every((c) => c.met)
