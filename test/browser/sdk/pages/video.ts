// The Video page: the real twilio-video `connect`, through this library's connectVideo, against the
// fake signaling server named in the query string. The test calls `harness.join()`.
import { connect, type ConnectOptions, type Room } from 'twilio-video';
import { connectVideo, createTokenManager } from '../../../../src/index';
import { createHarness } from './harness';

const params = new URLSearchParams(location.search);
const harness = createHarness();
const manager = createTokenManager({ url: '/api/token', random: () => 0.99 });
harness.watch(manager);
let room: Room | undefined;

/** Joins a room: resolves with its SID, or with the error's code and name. */
harness.join = async () => {
  try {
    // `wsServer` is read by connect but not in its typings; no ICE servers, no tracks, no insights:
    // nothing but the signaling socket goes out.
    const options: ConnectOptions & { wsServer: string } = {
      name: 'standup',
      wsServer: params.get('wsServer')!,
      iceServers: [],
      tracks: [],
      insights: false,
      logLevel: 'warn',
    };
    room = await connectVideo(manager, connect, options);
    return { sid: room.sid, state: room.state, identity: room.localParticipant.identity };
  } catch (error) {
    const { code, name, message } = error as { code?: number; name?: string; message?: string };
    return { code, name, message };
  }
};
harness.leave = () => {
  room?.disconnect();
};
harness.ready = true;
