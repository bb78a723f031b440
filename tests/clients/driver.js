#!/usr/bin/env node
// SPDX-License-Identifier: GPL-2.0-only
//
// The real zwave-js Driver as a PiZWG client.  Usage:
//   node driver.js PORT [--cycles N] [--interval MS] [--timeout S] [--switch NODEID]
// PORT is a tty path (/dev/pts/N, a socat link=) or tcp://HOST:PORT.
//
// Starts the Driver, waits for "driver ready" and "all nodes ready" (node
// interviews), then N times sets the binary switch to alternating values
// (on first) and reads it back from the device (a Binary Switch Get, not the
// value cache).  A failed cycle is logged and the next one still runs, so
// a long run across a link outage shows when the driver recovers.  Exit
// status 0 only if the first and the last cycles succeeded within the
// timeout; 1 otherwise.  One JSON line per event on stdout.
//
// Environment: ZWJS_STATE_DIR (default /var/cache/pizwg-clients/work/
// driver-state; the driver's network cache and lock files go there, never
// into the tree: its own default is ./cache); ZWJS_LOG_FILE to get the
// driver's own (debug) log in that file (winston adds _DATE.log).

"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { CommandClasses } = require("@zwave-js/core");
const { Driver } = require("zwave-js");

function usage() {
	console.error("usage: driver.js PORT [--cycles N] [--interval MS] [--timeout S] [--switch NODEID]");
	process.exit(2);
}
const args = process.argv.slice(2);
const port = args.shift();
if (!port || port.startsWith("--")) usage();
const opt = { cycles: 1, interval: 1000, timeout: 120, switch: 2 };
while (args.length) {
	const k = args.shift();
	const v = Number(args.shift());
	if (!k.startsWith("--") || !(k.slice(2) in opt) || !Number.isFinite(v)) usage();
	opt[k.slice(2)] = v;
}

const t0 = Date.now();
function log(event, extra = {}) {
	process.stdout.write(
		JSON.stringify({ ts: new Date().toISOString(), t: (Date.now() - t0) / 1000, who: "driver", event, ...extra }) + "\n",
	);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const withTimeout = (p, ms, what) =>
	Promise.race([p, new Promise((_, rej) => setTimeout(() => rej(new Error(`${what}: timed out after ${ms} ms`)), ms))]);

const stateDir = path.resolve(process.env.ZWJS_STATE_DIR ?? "/var/cache/pizwg-clients/work/driver-state");
fs.mkdirSync(stateDir, { recursive: true });

const logFile = process.env.ZWJS_LOG_FILE;
const driver = new Driver(port, {
	storage: { cacheDir: path.join(stateDir, "cache"), lockDir: path.join(stateDir, "locks") },
	logConfig: logFile
		? { enabled: true, level: "debug", logToFile: true, filename: logFile, forceConsole: false }
		: { enabled: false },
	// No external config dir: only the device database shipped in @zwave-js/config.
	// Usage statistics are opt-in (enableStatistics()), never called here.
});

let exitCode;
async function finish(code) {
	if (exitCode !== undefined) return;
	exitCode = code;
	log("exit", { code });
	try {
		await withTimeout(driver.destroy(), 5000, "destroy");
	} catch (e) {
		log("destroy failed", { error: String(e) });
	}
	process.exit(exitCode);
}

const overall = setTimeout(() => {
	log("timeout", { seconds: opt.timeout });
	void finish(1);
}, opt.timeout * 1000);
overall.unref();

// Driver_Failed (100): the driver has given up (e.g. the port could not be
// reopened after 10 tries) and destroys itself; nothing else will happen.
driver.on("error", (e) => {
	log("driver error", { error: e.message.split("\n")[0], code: e.code });
	if (e.code === 100) void finish(1);
});
process.exitCode = 1; // should the event loop ever drain by itself

async function cycle(i, node) {
	const want = i % 2 === 1; // on first, then alternate
	const c0 = Date.now();
	try {
		const res = await withTimeout(
			node.setValue({ commandClass: CommandClasses["Binary Switch"], property: "targetValue" }, want),
			30000,
			"setValue",
		);
		// SetValueStatus: 1 Working, 254 SuccessUnsupervised, 255 Success; others fail.
		const ok = res.status === 254 || res.status === 255 || res.status === 1;
		if (!ok) throw new Error(`setValue status ${res.status} ${res.message ?? ""}`);
		const report = await withTimeout(node.commandClasses["Binary Switch"].get(), 30000, "get");
		const got = report?.currentValue;
		if (got !== want) throw new Error(`read back ${JSON.stringify(got)}, wanted ${want}`);
		log("cycle ok", { i, set: want, read: got, ms: Date.now() - c0 });
		return true;
	} catch (e) {
		log("cycle failed", { i, set: want, error: e.message, ms: Date.now() - c0 });
		return false;
	}
}

driver.once("driver ready", () => {
	const ctrl = driver.controller;
	log("driver ready", {
		homeId: ctrl.homeId?.toString(16),
		ownNodeId: ctrl.ownNodeId,
		sdkVersion: ctrl.sdkVersion,
		nodes: [...ctrl.nodes.keys()],
	});
	for (const node of ctrl.nodes.values()) {
		node.once("interview completed", () => log("interview completed", { node: node.id }));
	}
});

driver.once("all nodes ready", async () => {
	log("all nodes ready", {
		nodes: [...driver.controller.nodes.values()].map((n) => ({ id: n.id, status: n.status, interviewStage: n.interviewStage })),
	});
	const node = driver.controller.nodes.get(opt.switch);
	if (!node) return finish(1);
	let first = false;
	let last = false;
	for (let i = 1; i <= opt.cycles; i++) {
		last = await cycle(i, node);
		if (i === 1) first = last;
		if (i < opt.cycles) await sleep(opt.interval);
	}
	await finish(first && last ? 0 : 1);
});

log("starting", { port, zwaveJs: require("zwave-js/package.json").version, stateDir, ...opt });
driver.start().catch((e) => {
	log("start failed", { error: e.message });
	void finish(1);
});
