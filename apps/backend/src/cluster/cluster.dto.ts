import { ClusterServer, ClusterView } from '@app/shared';
import { ApiProperty } from '@nestjs/swagger';

export class ClusterServerDto implements ClusterServer {
  @ApiProperty({ example: 'session-8001-1' }) id: string;
  @ApiProperty({ example: 'ws://127.0.0.1:8001' }) url: string;
  @ApiProperty({ description: 'Most rooms the server takes', example: 50 }) capacity: number;
  @ApiProperty({ type: [String], description: 'Rooms placed on this server' }) rooms: string[];
  @ApiProperty({ description: 'Open WebSocket connections at the last heartbeat' }) connections: number;
  @ApiProperty({ description: 'Stopping: takes no new rooms' }) draining: boolean;
  @ApiProperty({ description: 'Heartbeat within the TTL' }) alive: boolean;
  @ApiProperty({ description: 'Epoch ms of the last heartbeat' }) lastHeartbeat: number;
}

export class ClusterViewDto implements ClusterView {
  @ApiProperty({ type: [ClusterServerDto] }) servers: ClusterServerDto[];
  @ApiProperty({ description: 'Epoch ms when this view was taken' }) at: number;
}
