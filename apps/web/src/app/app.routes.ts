import type { Routes } from '@angular/router';
import { authGuard } from './core/auth.guard';

export const routes: Routes = [
  { path: 'login', title: 'Log in · Rooms', loadComponent: () => import('./auth/login.component').then((m) => m.LoginComponent) },
  {
    path: '',
    pathMatch: 'full',
    title: 'Lobby · Rooms',
    canActivate: [authGuard],
    loadComponent: () => import('./lobby/lobby.component').then((m) => m.LobbyComponent),
  },
  {
    path: 'rooms/:roomId',
    title: 'Room · Rooms',
    canActivate: [authGuard],
    loadComponent: () => import('./room/room-page.component').then((m) => m.RoomPageComponent),
  },
  {
    path: 'cluster',
    title: 'Cluster · Rooms',
    canActivate: [authGuard],
    loadComponent: () => import('./cluster/cluster.component').then((m) => m.ClusterComponent),
  },
  { path: '**', redirectTo: '' },
];
