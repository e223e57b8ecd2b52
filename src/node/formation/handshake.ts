/**
 * The signed messages that form and re-form a network (SPEC A, "Joining"; SPEC B, "Security"):
 * their encodings and signatures are the core's (src/core/peer-auth.ts).
 */
export {
  signHello,
  signJoin,
  signNetwork,
  verifyHello,
  verifyJoin,
  verifyNetwork,
  type Hello,
  type JoinRequest,
  type NetworkAnnouncement,
  type NodeEntry,
} from '../../core/peer-auth.js';
