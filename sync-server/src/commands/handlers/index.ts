import type { CommandArgs, CommandName } from '@cimco/contract';
import type { CommandContext, CommandEffect } from '../context.ts';
import { createUser, resolveConflict, revokeDevice, updateUser } from './admin.ts';
import { createEquipment, retireEquipment, setEquipmentStatus, updateEquipment } from './equipment.ts';
import { addKnowledge, voteKnowledge } from './knowledge.ts';
import { addLog } from './logs.ts';
import { cancelOrder, createOrder, receiveOrder, shipOrder, updateOrder } from './orders.ts';
import { createPart, movePart, updatePart } from './parts.ts';
import { adjustStock } from './stock.ts';
import { assignTask, completeTask, createTask, setTaskStatus, updateTask } from './tasks.ts';
import { deleteTemplate, saveTemplate } from './templates.ts';
import { deletePm, savePm } from './pm.ts';

/** Every command of the contract and the handler that applies it, with its conflict rule. */
export const HANDLERS: { [N in CommandName]: (ctx: CommandContext, args: CommandArgs<N>) => Promise<CommandEffect> } = {
  'equipment.create': createEquipment,
  'equipment.update': updateEquipment,
  'equipment.setStatus': setEquipmentStatus,
  'equipment.retire': retireEquipment,
  'task.create': createTask,
  'task.update': updateTask,
  'task.assign': assignTask,
  'task.setStatus': setTaskStatus,
  'task.complete': completeTask,
  'template.save': saveTemplate,
  'template.delete': deleteTemplate,
  'pm.save': savePm,
  'pm.delete': deletePm,
  'log.add': addLog,
  'part.create': createPart,
  'part.update': updatePart,
  'part.move': movePart,
  'stock.adjust': adjustStock,
  'order.create': createOrder,
  'order.update': updateOrder,
  'order.receive': receiveOrder,
  'order.ship': shipOrder,
  'order.cancel': cancelOrder,
  'knowledge.add': addKnowledge,
  'knowledge.vote': voteKnowledge,
  'conflict.resolve': resolveConflict,
  'user.create': createUser,
  'user.update': updateUser,
  'device.revoke': revokeDevice,
};
