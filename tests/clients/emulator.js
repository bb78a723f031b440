#!/usr/bin/env node
// SPDX-License-Identifier: GPL-2.0-only
//
// A simulated Z-Wave USB stick: zwave-js's own MockController (with mock
// nodes) speaking the Z-Wave Serial API on a tty, e.g. one end of a socat
// pty pair.  Usage: node emulator.js TTY_PATH
//
// The wiring copies zwave-js's MockServer (zwave-js/build/*/mockServer.js),
// with a tty in place of its TCP socket and without its mDNS advertisement:
//   tty bytes (from the driver) -> Framer -> serial.writeAsync() -> MockPort -> MockController
//   MockController -> MockPort.emitData() -> serial.readable (parsed frames)
//                  -> Faucet -> tty
// MockController takes every chunk it reads from the MockPort as one whole
// Serial API unit (an ACK/NAK/CAN byte or a complete SOF frame) and throws on
// anything else; MockServer gets away with that because loopback TCP keeps
// the driver's writes whole, but a tty splits and merges them, so the Framer
// below cuts the byte stream into units first.
// If the tty goes away (the socat that made it exits: read() gives EIO),
// the same MockController waits for TTY_PATH to come back and reopens it,
// like a stick that stays powered while its host link drops.
//
// Environment: EMU_HOME_ID (hex, default c0ffee01), EMU_LOG=1 to log every
// chunk.  Prints one JSON line per event on stdout.

"use strict";

const fs = require("node:fs");
const tty = require("node:tty");
const { CommandClasses } = require("@zwave-js/core");
const { Faucet, ZWaveSerialFrameType } = require("@zwave-js/serial");
const { createAndOpenMockedZWaveSerialPort } = require("@zwave-js/serial/mock");
const { MockController, MockNode } = require("@zwave-js/testing");
const {
	createDefaultMockControllerBehaviors,
	createDefaultMockNodeBehaviors,
} = require("zwave-js/Testing");

const ttyPath = process.argv[2];
if (!ttyPath) {
	console.error("usage: emulator.js TTY_PATH");
	process.exit(2);
}
const homeId = parseInt(process.env.EMU_HOME_ID ?? "c0ffee01", 16);
const verbose = process.env.EMU_LOG === "1";

function log(event, extra = {}) {
	process.stdout.write(
		JSON.stringify({ ts: new Date().toISOString(), who: "emulator", event, ...extra }) + "\n",
	);
}

// Cuts the host's byte stream into Serial API units: a single ACK (0x06),
// NAK (0x15) or CAN (0x18), or a whole frame SOF (0x01) LEN TYPE FUNC ...
// CHECKSUM of LEN+2 bytes.  Anything else outside a frame is dropped, and so
// is a partial frame that has been waiting for more than 1.5 s (the
// driver's own byte timeout is far shorter).
class Framer {
	#buf = Buffer.alloc(0);
	#since = 0;
	constructor(emit, junk) {
		this.emit = emit;
		this.junk = junk;
	}
	push(chunk) {
		const now = Date.now();
		if (this.#buf.length && now - this.#since > 1500) {
			this.junk(this.#buf, "stale partial frame");
			this.#buf = Buffer.alloc(0);
		}
		if (!this.#buf.length) this.#since = now;
		let b = Buffer.concat([this.#buf, chunk]);
		while (b.length) {
			const h = b[0];
			if (h === 0x06 || h === 0x15 || h === 0x18) {
				this.emit(b.subarray(0, 1));
				b = b.subarray(1);
			} else if (h === 0x01) {
				if (b.length < 2 || b.length < b[1] + 2) break;
				this.emit(b.subarray(0, b[1] + 2));
				b = b.subarray(b[1] + 2);
			} else {
				let n = 1;
				while (n < b.length && ![0x01, 0x06, 0x15, 0x18].includes(b[n])) n++;
				this.junk(b.subarray(0, n), "not a Serial API unit");
				b = b.subarray(n);
			}
			this.#since = now;
		}
		this.#buf = Buffer.from(b);
	}
	reset() {
		this.#buf = Buffer.alloc(0);
	}
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function main() {
	const { port: mockPort, serial } = await createAndOpenMockedZWaveSerialPort();
	const controller = await MockController.create({
		homeId,
		ownNodeId: 1,
		mockPort,
		serial,
	});
	controller.defineBehavior(...createDefaultMockControllerBehaviors());

	// Node 2: a binary switch.  Node 3: a binary sensor.
	const nodes = [
		{ id: 2, capabilities: { commandClasses: [{ ccId: CommandClasses["Binary Switch"], version: 2, isSupported: true }] } },
		{ id: 3, capabilities: { commandClasses: [{ ccId: CommandClasses["Binary Sensor"], version: 1, isSupported: true }] } },
	];
	for (const n of nodes) {
		const node = await MockNode.create({ ...n, controller });
		node.defineBehavior(...createDefaultMockNodeBehaviors());
		controller.addNode(node);
	}
	log("mock controller created", { homeId: homeId.toString(16), nodes: nodes.map((n) => n.id) });

	const faucet = new Faucet(serial.readable);
	const framer = new Framer(
		(unit) => {
			if (verbose) log("from host", { hex: unit.toString("hex") });
			serial.writeAsync(Uint8Array.from(unit)).catch((e) => log("mock serial write failed", { error: String(e) }));
		},
		(bytes, why) => log("dropped from host", { hex: bytes.toString("hex"), why }),
	);
	let stopping = false;
	const stop = () => {
		stopping = true;
		controller.destroy();
		process.exit(0);
	};
	process.on("SIGTERM", stop);
	process.on("SIGINT", stop);

	for (let session = 1; !stopping; session++) {
		// Wait for the tty to exist (socat may still be starting).
		let rfd, wfd;
		for (;;) {
			try {
				rfd = fs.openSync(ttyPath, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
				wfd = fs.openSync(ttyPath, fs.constants.O_RDWR | fs.constants.O_NOCTTY);
				break;
			} catch {
				if (rfd !== undefined) fs.closeSync(rfd);
				rfd = undefined;
				await sleep(200);
			}
		}
		const input = new tty.ReadStream(rfd);
		input.setRawMode(true); // termios is per tty: raw output for wfd as well
		const output = new tty.WriteStream(wfd);
		log("tty opened", { path: ttyPath, real: fs.realpathSync(ttyPath), session });

		const writable = new WritableStream({
			write(chunk) {
				if (chunk.type !== ZWaveSerialFrameType.SerialAPI) return;
				const data = typeof chunk.data === "number" ? Uint8Array.from([chunk.data]) : chunk.data;
				if (verbose) log("to host", { hex: Buffer.from(data).toString("hex") });
				output.write(data);
			},
		});
		faucet.connect(writable);

		await new Promise((resolve) => {
			let done = false;
			const finish = (why) => {
				if (done) return;
				done = true;
				log("tty closed", { session, why });
				faucet.disconnect();
				framer.reset();
				void writable.close().catch(() => {});
				input.destroy();
				output.destroy();
				resolve();
			};
			input.on("data", (chunk) => framer.push(chunk));
			input.on("end", () => finish("eof"));
			input.on("error", (e) => finish(e.code ?? String(e)));
			output.on("error", (e) => finish(e.code ?? String(e)));
		});
		// socat unlinks its link= symlink on exit; give it a moment so that
		// we do not reopen a stale link.
		await sleep(500);
	}
}

main().catch((e) => {
	log("fatal", { error: e?.stack ?? String(e) });
	process.exit(1);
});
