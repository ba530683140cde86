/**
 * The runtime's public surface. Generated code imports only from here (as `skiff/runtime`).
 */
export type {
  BaseTypeKind,
  CallContext,
  CallOptions,
  Channel,
  ExceptionClass,
  FieldDescriptor,
  MethodDescriptor,
  ServiceDescriptor,
  StructCompanion,
  StructDescriptor,
  ThrowsDescriptor,
  TypeDescriptor,
  UnionCompanion,
} from './service.js';
