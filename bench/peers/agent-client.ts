// The Cloudflare Agents peer's client: `AIChatAgent`'s WebSocket chat protocol as its own transport
// speaks it (agents/chat `WebSocketChatTransport`): a chat request, then `cf_agent_use_chat_response`
// frames carrying UI message chunks; a reader that reconnects sends `cf_agent_stream_resume_request`,
// and acknowledges `cf_agent_stream_resuming` to get the stream replayed and then followed live.
import { randomUUID } from "node:crypto";
import { Receipt, utf8Bytes } from "./receipt.ts";
import type { FollowOptions, System } from "./systems.ts";

interface ChatResponse {
  type: string;
  id?: string;
  body?: string;
  done?: boolean;
  error?: boolean;
}

const agentUrl = (baseUrl: string, run: string) =>
  `${baseUrl.replace(/^http/, "ws")}/agents/bench-chat-agent/${encodeURIComponent(run)}`;

/** Opens a socket to the agent `run` and reads one chat turn into a Receipt; `send` says what to ask. */
function readTurn(
  baseUrl: string,
  run: string,
  options: FollowOptions,
  opening: (socket: WebSocket) => void,
  receipt = new Receipt(),
): Promise<Receipt> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(agentUrl(baseUrl, run));
    let turn: string | null = null;
    let acked = false;
    const finish = () => {
      socket.close();
      resolve(receipt);
    };
    socket.addEventListener("open", () => opening(socket));
    socket.addEventListener("error", () => reject(new Error(`agent ${run}: socket error`)));
    socket.addEventListener("close", () => resolve(receipt));
    socket.addEventListener("message", (event) => {
      const data = String(event.data);
      receipt.wireBytes += utf8Bytes(data);
      const message = JSON.parse(data) as ChatResponse;
      if (message.type === "cf_agent_stream_resuming" && !acked && message.id && (turn ?? message.id) === message.id) {
        // The server holds this connection out of the broadcast until the ack, then replays the turn from
        // its start: the reader starts the turn's text again, as the SDK's client builds a new message.
        acked = true;
        turn = message.id;
        receipt.restart();
        socket.send(JSON.stringify({ type: "cf_agent_stream_resume_ack", id: turn }));
        return;
      }
      // No turn streaming yet (a reader that came first): the turn's frames reach every connection.
      if (message.type === "cf_agent_stream_resume_none") return;
      if (message.type !== "cf_agent_use_chat_response") return;
      turn ??= message.id ?? null;
      if (message.id !== turn) return;
      if (message.error) return reject(new Error(`agent ${run}: ${message.body}`));
      if (message.body?.trim()) {
        const chunk = JSON.parse(message.body) as { type: string; delta?: string };
        if (chunk.type === "text-delta") receipt.add(chunk.delta ?? "");
      }
      if (message.done) receipt.ended = true;
      const enough = options.stopAfterChars !== undefined && receipt.text.length >= options.stopAfterChars;
      if (enough || receipt.ended) finish();
    });
  });
}

export function agentsChat(baseUrl: string): System {
  const follow = (run: string, options: FollowOptions = {}) =>
    // The agent replays a resumed turn from its start; the reader keeps what the replay holds.
    readTurn(baseUrl, run, options, (socket) =>
      socket.send(JSON.stringify({ type: "cf_agent_stream_resume_request", probeId: randomUUID().slice(0, 8) })),
    );
  return {
    name: "Cloudflare Agents",
    async start(model, options = {}) {
      const run = randomUUID();
      const request = {
        type: "cf_agent_use_chat_request",
        id: randomUUID(),
        init: {
          method: "POST",
          body: JSON.stringify({
            trigger: "submit-message",
            model,
            messages: [{ id: randomUUID(), role: "user", parts: [{ type: "text", text: "bench" }] }],
          }),
        },
      };
      return { run, receipt: readTurn(baseUrl, run, options, (socket) => socket.send(JSON.stringify(request))) };
    },
    follow,
    replaysFromStart: true,
    async writes(run) {
      if (!run) return 0;
      const url = `${baseUrl}/bench/agent-writes?name=${encodeURIComponent(run)}`;
      return ((await (await fetch(url)).json()) as { statements: number }).statements;
    },
  };
}
