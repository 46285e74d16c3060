/**
 * prom-client's metric classes, each from its own file. Its index also loads the Pushgateway
 * (node:http, node:https, node:zlib), cluster aggregation and the default collectors, none of
 * which the service uses, and those modules stayed in memory from start-up. The types are the
 * index's (prom-client-files.d.ts beside this file).
 */
export { default as Counter } from 'prom-client/lib/counter'
export { default as Gauge } from 'prom-client/lib/gauge'
export { default as Histogram } from 'prom-client/lib/histogram'
export { default as Registry } from 'prom-client/lib/registry'
