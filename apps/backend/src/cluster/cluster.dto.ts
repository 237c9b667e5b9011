import { ClusterServer, ClusterView } from '@app/shared';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ClusterServerDto implements ClusterServer {
  @ApiProperty({ example: 'session-8001-1' }) id: string;
  @ApiPropertyOptional({ example: 'ws://127.0.0.1:8001', description: "The server's public WebSocket address: in an admin's view only" }) url?: string;
  @ApiProperty({ description: 'Most rooms the server takes', example: 50 }) capacity: number;
  @ApiProperty({ description: 'Rooms placed on this server now', example: 12 }) roomCount: number;
  @ApiProperty({ type: [String], description: "Rooms placed on this server: every one in an admin's view, else only those the caller opened a session for" })
  rooms: string[];
  @ApiProperty({ description: 'Open WebSocket connections at the last heartbeat' }) connections: number;
  @ApiProperty({ description: 'Stopping: takes no new rooms' }) draining: boolean;
  @ApiProperty({ description: 'Heartbeat within the TTL' }) alive: boolean;
  @ApiProperty({ description: 'Epoch ms of the last heartbeat' }) lastHeartbeat: number;
}

export class ClusterViewDto implements ClusterView {
  @ApiProperty({ type: [ClusterServerDto] }) servers: ClusterServerDto[];
  @ApiProperty({ enum: ['all', 'own'], description: "`all`: an admin's view; `own`: only the caller's rooms are named" }) scope: 'all' | 'own';
  @ApiProperty({ description: 'Epoch ms when this view was taken' }) at: number;
}
